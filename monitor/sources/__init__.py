"""Where article links come from: feeds, sitemaps, listing pages, and URL identity."""
