"""Copy the front-end libraries the maps need into ``flighttrace/viz/static/vendor/``, from the npm registry.

Run by hand when a version changes (the files are committed)::

    python scripts/vendor_web_assets.py

Each package is fetched with ``npm pack NAME@VERSION`` (the npm registry's
tarball, checked by npm against its recorded integrity hash), unpacked in a
temporary folder, and the files listed in :data:`FILES` are copied
unchanged, with the package's licence. ``iso8601-js-period`` ships no
licence file although its ``package.json`` says Apache-2.0: the Apache 2.0
text is copied from Debian's ``/usr/share/common-licenses``. The pages get
these files inlined (``flighttrace/viz/offline.py``): a map makes no network
request.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "flighttrace" / "viz" / "static" / "vendor"

PACKAGES: Final = {
    "leaflet": "1.9.4",
    "leaflet-timedimension": "1.1.1",
    "iso8601-js-period": "0.2.1",
    "moment": "2.30.1",
}
"""npm packages and the exact versions shipped."""

FILES: Final = {
    "leaflet": {
        "dist/leaflet.js": "leaflet/leaflet.js",
        "dist/leaflet.css": "leaflet/leaflet.css",
        "dist/images/layers.png": "leaflet/images/layers.png",
        "dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
        "dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
        "LICENSE": "leaflet/LICENSE",
    },
    "leaflet-timedimension": {
        "dist/leaflet.timedimension.min.js": "timedimension/leaflet.timedimension.min.js",
        "dist/leaflet.timedimension.control.min.css": "timedimension/leaflet.timedimension.control.min.css",
        "LICENSE": "timedimension/LICENSE",
    },
    "iso8601-js-period": {"iso8601.js": "iso8601/iso8601.js"},
    "moment": {"min/moment.min.js": "moment/moment.min.js", "LICENSE": "moment/LICENSE"},
}
"""Per package: file in the npm tarball (under ``package/``) -> file under ``static/vendor/``."""

APACHE_2: Final = Path("/usr/share/common-licenses/Apache-2.0")


def vendor(folder: Path = VENDOR) -> list[Path]:
    """Fetch every package and copy its files into ``folder``; the files written."""
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, version in PACKAGES.items():  # one npm pack per package
            out = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=tmp, check=True, capture_output=True, text=True)
            tgz = Path(tmp) / out.stdout.strip().splitlines()[-1]
            unpacked = Path(tmp) / name
            with tarfile.open(tgz) as tar:
                tar.extractall(unpacked, filter="data")
            for src, dst in FILES[name].items():
                target = folder / dst
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(unpacked / "package" / src, target)
                written.append(target)
    target = folder / "iso8601" / "LICENSE"
    shutil.copyfile(APACHE_2, target)
    written.append(target)
    return written


if __name__ == "__main__":
    for p in vendor():
        print(p.relative_to(ROOT))
    sys.exit(0)
