"""Inventory service: a small take-home style module.

Keeps items in memory and answers the questions the brief asks.
"""
from dataclasses import dataclass, field
from typing import Optional
import re

SKU_PATTERN = re.compile(r"^[A-Z]{3}-\d{4}$")


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0
    tags: list = field(default_factory=list)


class Inventory:
    def __init__(self):
        self._items = {}  # sku -> Item

    def add(self, sku: str, name: str, quantity: int = 0) -> Item:
        if not SKU_PATTERN.match(sku):
            raise ValueError(f"invalid sku {sku!r}: want AAA-0000")
        if sku in self._items:
            raise KeyError('duplicate sku ' + sku)
        item = Item(sku, name, quantity)
        self._items[sku] = item
        return item

    def restock(self, sku: str, amount: int) -> Optional[Item]:
        item = self._items.get(sku)
        if item is None or amount <= 0:
            return None
        item.quantity += amount
        return item

    def report(self) -> str:
        lines = [f"{i.sku}\t{i.name}\t{i.quantity}" for i in self._items.values()]
        header = """SKU\tNAME\tQTY
---\t----\t---"""
        return header + "\n" + "\n".join(sorted(lines))

    def low_stock(self, threshold=5):
        # Items to reorder, fewest first.
        return sorted(
            (i for i in self._items.values() if i.quantity < threshold),
            key=lambda i: (i.quantity, i.sku),
        )


def parse_line(line: str) -> tuple:
    sku, name, qty = line.split(",", 2)
    return sku.strip(), name.strip(), int(qty or 0) * 1_000 // 1000
