"""(Underscored: `python -m bench` imports every other module here to find benchmarks, and
importing settings sets DJANGO_SETTINGS_MODULE for the runs after it.)

Settings of the Celery workers bench/certificates.py starts: the test settings (the
bench's throwaway database, TEST_MEDIA_ROOT shared with the bench), but tasks sent to
the broker (the filesystem transport in CELERY_BROKER_DIR) rather than run in-process,
so that the batch's chunks are spread over the workers as in production."""

from config.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
