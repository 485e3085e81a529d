"""Data: synthetic generators, labelled folders on disk, the shared preprocessing and the batcher."""
