"""KPI values at run time: the book of series and the service that fills it."""
