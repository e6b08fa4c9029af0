#!/usr/bin/env python3
"""Builds the `--standings` file of `r1eval report/grade` from Codeforces API responses saved on a
machine with network (r1eval never downloads them):

  curl -fsS "https://codeforces.com/api/contest.standings?contestId=1971&showUnofficial=false" -o 1971.standings.json
  curl -fsS "https://codeforces.com/api/contest.ratingChanges?contestId=1971" -o 1971.ratings.json
  tools/codeforces_standings.py 1971.standings.json 1971.ratings.json [more pairs ...] > standings.json

Official participants are the rows whose handle has a rating change (the rated ones); their rating is
`oldRating`. Contest type "CF" is scored by points, "ICPC" (Div. 3/4, Educational) by solved count and
penalty. Rows keep the standings' rank order. Standard library only.
"""
import json
import sys


def result(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("status") != "OK" or "result" not in doc:
        sys.exit(f"{path}: expected a Codeforces API response with status OK")
    return doc["result"]


def contest_entry(standings_path, ratings_path):
    standings = result(standings_path)
    changes = result(ratings_path)
    contest = standings["contest"]
    scoring = {"CF": "points", "ICPC": "icpc"}.get(contest.get("type"))
    if scoring is None:
        sys.exit(f"{standings_path}: contest type {contest.get('type')!r} is neither CF nor ICPC")
    old_rating = {c["handle"]: c["oldRating"] for c in changes}
    if not old_rating:
        sys.exit(f"{ratings_path}: no rating changes (an unrated contest?)")
    problems = []
    for p in standings["problems"]:
        entry = {"index": p["index"]}
        if scoring == "points":
            if "points" not in p:
                sys.exit(f"{standings_path}: problem {p['index']} has no points")
            entry["points"] = p["points"]
        problems.append(entry)
    participants = []
    for row in sorted(standings["rows"], key=lambda r: r["rank"]):
        members = row["party"].get("members", [])
        if row["party"].get("participantType") != "CONTESTANT" or len(members) != 1:
            continue
        handle = members[0]["handle"]
        if handle not in old_rating:
            continue
        participants.append({"rating": old_rating[handle], "score": row["points"], "penalty": row.get("penalty", 0)})
    return {"contest_id": str(contest["id"]), "scoring": scoring, "problems": problems, "participants": participants}


def main(args):
    if not args or len(args) % 2:
        sys.exit(__doc__)
    contests = [contest_entry(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    json.dump({"contests": contests}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
