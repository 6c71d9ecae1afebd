"""The app's pages, one module each, and the shared state they use.

Pages hold no Cypher and no metric formulas: they call :mod:`graph` and :mod:`loaders`.
"""
