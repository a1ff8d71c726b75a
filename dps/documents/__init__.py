"""PDF documents made with reportlab: pure functions that take plain data and return bytes."""
