"""DataWorks OpenAPI access for Review Gate: the only package that talks to the official SDK.

Import the facade from `dataworks_client.client` (`get_client()`); this package root stays import-free so that
loading the Django app never pulls in the ~0.5 s SDK import.
"""
