import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's start-up chatter off the terminal

from ocrlib.cli import main  # noqa: E402

sys.exit(main())
