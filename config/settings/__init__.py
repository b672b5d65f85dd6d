"""Django settings for Review Gate, driven entirely by environment variables (every variable is in README.md).

One module per integration, each failing fast with a message naming the variable; `_mode` holds what they share
(PRODUCTION, DEBUG, DEMO_MODE, the paths). To add an integration, add its module and one line below.
"""

# isort: off
# Loaded in this order, so a start with several bad variables names the first one in this order.
from config.settings._mode import *  # noqa: F403
from config.settings.base import *  # noqa: F403
from config.settings.eventbridge import *  # noqa: F403
from config.settings.dataworks import *  # noqa: F403
from config.settings.review import *  # noqa: F403
from config.settings.notifications import *  # noqa: F403
from config.settings.i18n import *  # noqa: F403
from config.settings.database import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.logging import *  # noqa: F403
from config.settings.observability import *  # noqa: F403
from config.settings.links import *  # noqa: F403

# isort: on
