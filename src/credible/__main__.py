"""``python -m credible``: the same command line as ``credible``, for a checkout or an
environment whose scripts folder is not on the PATH."""

from credible.cli import main

if __name__ == "__main__":
    main()
