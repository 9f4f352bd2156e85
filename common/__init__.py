"""Basics every app shares (ID numbers, money, months and working days, the spreadsheet writer, the JSON
error body): each once, imported by everyone, importing nothing of the product's apps."""
