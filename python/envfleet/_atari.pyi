# Stubs of the `_atari` extension: the family interface, plus the preprocessing for tests.
import numpy as np
import numpy.typing as npt

from envfleet._classic_control import Pool as Pool
from envfleet._classic_control import describe as describe
from envfleet._classic_control import env_ids as env_ids
from envfleet._classic_control import xla_handlers as xla_handlers

def resize(
    image: npt.ArrayLike, height: int, width: int, interpolation: str = "area"
) -> npt.NDArray[np.uint8]: ...
def process_screens(
    palette: npt.ArrayLike,
    second_last: npt.ArrayLike,
    last: npt.ArrayLike,
    pooled: npt.ArrayLike,
    height: int,
    width: int,
    channels: int,
    interpolation: str = "area",
) -> npt.NDArray[np.uint8]: ...
