"""Barcode checks: EAN-13 and UPC-A by their check digit, Code 128 by its character set."""

from __future__ import annotations


def gtin_check_digit(body: str) -> int:
    """Check digit of a GTIN body (all digits but the last), per GS1: weights 3,1,3,1… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def barcode_problem(code: str) -> str | None:
    """None when ``code`` is a valid EAN-13, UPC-A or Code 128 value; otherwise what is wrong."""
    if not code:
        return None
    if code.isdigit() and len(code) in (12, 13):
        kind = "UPC-A" if len(code) == 12 else "EAN-13"
        expected = gtin_check_digit(code[:-1])
        if int(code[-1]) != expected:
            return f"This {kind} barcode's check digit should be {expected}, not {code[-1]}. Check for a typing mistake."
        return None
    if code.isdigit() and len(code) in (8, 14):
        return (
            None
            if int(code[-1]) == gtin_check_digit(code[:-1])
            else "The barcode's check digit is wrong."
        )
    if len(code) > 48 or any(not (32 <= ord(ch) <= 126) for ch in code):
        return "A barcode uses printable ASCII characters only (Code 128), at most 48 of them."
    return None
