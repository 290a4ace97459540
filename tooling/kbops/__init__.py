"""kbops: keep a customer-support knowledge base honest.

The package is a pipeline, one module per stage, data flowing one way:
kb -> lint / chunking -> index -> agent -> replay -> gaps -> report / site.
"""

__version__ = "0.1.0"
