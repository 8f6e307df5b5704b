"""Deterministic synthetic data in AMLworld's format, with planted typologies and look-alikes.

`generate(out_dir, rows, seed, name="SYNTH", days=28)` writes `{name}_Trans.csv`,
`{name}_accounts.csv` and `{name}_Patterns.txt`; see `finflow.synth.generator`.
"""

from finflow.synth.generator import generate
from finflow.synth.planted import TYPES

__all__ = ["TYPES", "generate"]
