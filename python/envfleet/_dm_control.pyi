# Stubs of the Control Suite family's extension module: the interface every family module has.
from envfleet._classic_control import Pool as Pool
from envfleet._classic_control import describe as describe
from envfleet._classic_control import env_ids as env_ids
from envfleet._classic_control import xla_handlers as xla_handlers
