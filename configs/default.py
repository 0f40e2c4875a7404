"""python main.py --config=configs/default.py --workdir=runs/default

Every field jax-ae reads, with its default; the other configs change what differs.

The fields are declared once, with what each does, its check and whether a resumed run
may change it, in jax_ae/config/config_fields.py; `python main.py --mode=config --describe
--config=configs/default.py` lists them. Any field can be overridden on the command line,
e.g. `--config.num_epochs=3`.
"""

import ml_collections

from jax_ae.config import config_fields


def get_config() -> ml_collections.ConfigDict:
  return config_fields.default_config()
