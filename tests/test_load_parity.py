"""libyaml's event parser and the pure one give the same data and positions for every card we ship."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.load import load_card

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "card",
    sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("examples/*/card.yaml"), *ROOT.glob("tests/cases/*.yaml")]),
)
def test_both_yaml_parsers_give_the_same_data_and_positions(card: str) -> None:
    fast = load_card(ROOT / card, yaml_parser="fast")
    pure = load_card(ROOT / card, yaml_parser="pure")
    assert fast.data == pure.data
    assert fast.positions == pure.positions and fast.key_positions == pure.key_positions
