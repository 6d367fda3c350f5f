"""Line money against hand-worked examples (docs/sales.md shows the same ones)."""

from decimal import Decimal as D

from apps.sales.pricing import line_money, tier_price


def test_worked_example_discount_and_tax_rounded_per_line():
    # 3 × 19.99 = 59.97; 12.5 % discount = 7.49625 → 7.50; net 52.47;
    # 8.25 % tax = 4.3287... → 4.33; total 52.47 + 4.33 = 56.80.
    m = line_money(
        quantity=D(3), unit_price=D("19.99"), discount_percent=D("12.5"), tax_rate=D("8.25")
    )
    assert (m.line_subtotal, m.discount_amount, m.tax_amount, m.line_total) == (
        D("59.97"),
        D("7.50"),
        D("4.33"),
        D("56.80"),
    )


def test_half_up_and_half_even_differ_on_a_half_cent():
    # 1 × 0.45, 5 % tax = 0.0225 → half up 0.02, half even 0.02; 1 × 0.90 at 5 % = 0.045
    up = line_money(quantity=D(1), unit_price=D("0.90"), tax_rate=D(5), rounding="half_up")
    even = line_money(quantity=D(1), unit_price=D("0.90"), tax_rate=D(5), rounding="half_even")
    assert up.tax_amount == D("0.05")
    assert even.tax_amount == D("0.04")


def test_fractional_quantity_subtotal_is_rounded_before_discount():
    # 2.5 kg × 3.33 = 8.325 → 8.33 (half up); 10 % = 0.833 → 0.83; no tax.
    m = line_money(quantity=D("2.5"), unit_price=D("3.33"), discount_percent=D(10))
    assert (m.line_subtotal, m.discount_amount, m.line_total) == (D("8.33"), D("0.83"), D("7.50"))


def test_tier_price_is_the_selling_price_less_the_tier_discount():
    assert tier_price(D("7.99"), D(10), "half_up") == D("7.19")  # 7.191
    assert tier_price(D("20.00"), None, "half_up") == D("20.00")
