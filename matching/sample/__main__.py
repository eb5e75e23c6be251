"""``python -m matching.sample``: regenerate the committed demo county."""

from pathlib import Path

from matching.sample.files import write_sample_file


def main() -> None:
    """Regenerate the committed demo county ``matching/data/sample-county.json``."""
    write_sample_file(Path(__file__).resolve().parent.parent / "data" / "sample-county.json")


if __name__ == "__main__":
    main()
