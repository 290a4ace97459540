"""The knowledge base: articles (Markdown + YAML front matter) loaded with line numbers,
the Markdown scanner every stage shares, lint rules, and chunking for the index."""
