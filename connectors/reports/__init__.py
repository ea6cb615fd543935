"""KPI values from departments' periodic reports (CSV, XLSX) dropped into a watched folder."""

from connectors.reports.connector import ReportsConfig, ReportsConnector

__all__ = ["ReportsConfig", "ReportsConnector"]
