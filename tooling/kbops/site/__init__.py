"""The customer help site: public, published articles staged for mkdocs-material, built
and served; nothing internal can reach it."""
