"""A document-management system's register of incoming and outgoing papers, polled over HTTP(S)."""

from connectors.documents_rest.connector import DocumentFields, DocumentsRestConfig, DocumentsRestConnector

__all__ = ["DocumentFields", "DocumentsRestConfig", "DocumentsRestConnector"]
