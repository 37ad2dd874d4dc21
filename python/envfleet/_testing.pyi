# The `_testing` extension has the interface of every family module.
from envfleet._classic_control import Pool as Pool
from envfleet._classic_control import describe as describe
from envfleet._classic_control import env_ids as env_ids
from envfleet._classic_control import xla_handlers as xla_handlers
