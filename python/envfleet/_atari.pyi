# Stubs of the `_atari` extension: the family interface, plus the preprocessing's resizer.
import numpy as np
import numpy.typing as npt

from envfleet._classic_control import Pool as Pool
from envfleet._classic_control import describe as describe
from envfleet._classic_control import env_ids as env_ids

def resize(
    image: npt.ArrayLike, height: int, width: int, interpolation: str = "area"
) -> npt.NDArray[np.uint8]: ...
