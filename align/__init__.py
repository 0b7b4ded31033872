"""align: build a scored French-English parallel dataset from news articles."""

__version__ = "0.1.0"
