"""What re-scoring a detection level costs on the reference dataset (docs/performance.md,
"Re-scoring a detection level on the reference dataset").

Needs `violet_bench_scale`, filled by `bench/scale.py`. In process (Flask's test client, no
server), as the bench user (an administrator): `PATCH /api/v1/detection-levels/{Prevented}`
making it unscored, then scoring it 100 again, `--rounds` times; each request's wall time.
Each pair leaves the tests' levels as they were (their versions bumped, audit events added).

    .venv/bin/python bench/rescore_level.py [--rounds 3] [--level Prevented]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_floor

DATABASE = "violet_bench_scale"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--level", default="Prevented")
    args = parser.parse_args()

    from sqlalchemy import text

    from violet import create_app
    from violet.config import data_dir, normalise_database_url
    from violet.core import embedded_db
    from violet.extensions import db

    url = normalise_database_url(embedded_db.database_url(data_dir() / "postgres", DATABASE))
    os.environ.update(api_floor.production_config(url))
    app = create_app({"LOG_LEVEL": "WARNING"})
    token = api_floor.access_token(app)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    levels = client.get("/api/v1/detection-levels", headers=headers).json["items"]
    level = next(item for item in levels if item["name"] == args.level)
    with app.app_context():
        outcomes = db.session.scalar(
            text("SELECT count(*) FROM mission_test_detections WHERE detection_level_id = :id"),
            {"id": level["id"]},
        )
    print(f"{args.level}: {outcomes:,} per-tool outcomes")
    for _ in range(args.rounds):
        for score in (None, level["score"] if level["score"] is not None else 100):
            started = time.perf_counter()
            response = client.patch(
                f"/api/v1/detection-levels/{level['id']}", json={"score": score}, headers=headers
            )
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.json
            print(f"score → {score}: {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
