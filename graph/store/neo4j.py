"""The shared team store: Neo4j (or any Bolt server that speaks its Cypher) over the
official ``neo4j`` driver.

One driver per store object (and the app keeps one store per process). Reads go with
routing READ and turn results into plain data inside the transaction; writes create the
uniqueness constraints first and then run batched ``UNWIND … MERGE`` statements, all in one
transaction per load. Connection problems become :mod:`graph.errors` classes with a message
that says what to do, within the configured timeout.
"""

from __future__ import annotations

import pandas as pd
from neo4j import GraphDatabase, RoutingControl
from neo4j import exceptions as nx_exc

from graph.errors import (
    AuthenticationFailed,
    ConcurrentWrite,
    DatabaseNotFound,
    StoreError,
    StoreUnavailable,
)
from graph.schema import NODE_LABELS, REL_TYPES
from graph.store import cypher
from graph.store.around import EVENT_COLUMNS, Around, project_years, tie_part
from graph.store.base import Filters, GraphStore
from graph.store.batch import FrameRows, GraphBatch, sources_apart
from graph.store.changes import SOURCES
from graph.store.flows import plain_missing
from graph.store.keeping import KeptReads
from graph.store.reading import side_by_side
from graph.store.server_writes import BATCH_SIZE, in_parts, parts, run_removal, tick
from graph.store.settings import Neo4jSettings
from graph.store.tables import PAIR_COLUMNS, categorical, isin, pairs_frame, ties_frame
from graph.store.totals import check_flow_types, frame
from graph.store.vocabulary import FLOW_COLUMNS, check_label, check_rel_type

__all__ = ["Neo4jStore", "BATCH_SIZE"]


def _tupled(row: dict) -> dict:
    """``row`` with its sources as a tuple (the stores compare them as tuples)."""
    if isinstance(row.get(SOURCES), list):
        row[SOURCES] = tuple(row[SOURCES])
    return row


def _first_label(labels) -> str | None:
    for label in labels or ():
        if label in NODE_LABELS:
            return label
    return None


#: What :data:`cypher.PROJECT_PARTIES` sends per project.
PARTY_FACTS = ("project", "donors", "recipients")


class Neo4jStore(GraphStore):
    """A graph store on a Bolt server.

    Parameters
    ----------
    settings : Neo4jSettings
        URI, user, password, database, timeout.
    """

    kind = "neo4j"

    def __init__(self, settings: Neo4jSettings):
        self.settings = settings
        self.read_sessions = settings.read_sessions  # reads in flight at once: side_by_side
        self._constraints_done = False
        self._kept = KeptReads(settings.keep_seconds)  # between analyses: see keeping.py
        try:
            self.driver = GraphDatabase.driver(
                settings.uri,
                auth=(settings.user, settings.password),
                connection_timeout=settings.timeout,
                connection_acquisition_timeout=settings.timeout,
                max_transaction_retry_time=settings.timeout,
            )
        except (ValueError, nx_exc.ConfigurationError) as e:
            raise StoreUnavailable(
                f"'{settings.uri}' is not a usable Bolt URI ({e}); "
                "write it as bolt://host:7687 or neo4j://host:7687"
            ) from e
        try:
            self.driver.verify_connectivity()
            self._read(cypher.PING)
        except (nx_exc.Neo4jError, nx_exc.DriverError, OSError) as e:
            self.driver.close()
            raise self._translate(e) from e
        except BaseException:
            self.driver.close()
            raise

    def describe(self) -> str:
        return self.settings.describe()

    def ping(self) -> None:
        """Check that the server answers now; a :class:`~graph.errors.StoreError` that says
        why when it does not (within the settings' timeout)."""
        try:
            self.driver.verify_connectivity()
        except (nx_exc.Neo4jError, nx_exc.DriverError, OSError) as e:
            raise self._translate(e) from e

    def close(self) -> None:
        self.driver.close()

    # -- plumbing ----------------------------------------------------------------------
    def _translate(self, e: Exception) -> StoreError:
        s = self.settings
        if isinstance(e, nx_exc.AuthError):
            return AuthenticationFailed(
                f"the server at {s.uri} refused user '{s.user}' with the given password; "
                "check NEO4J_USER and NEO4J_PASSWORD"
            )
        text = str(e)
        code = getattr(e, "code", "") or ""
        if "DatabaseNotFound" in code or (
            "database" in text.lower()
            and any(w in text.lower() for w in ("not found", "does not exist", "not exist"))
        ):
            return DatabaseNotFound(
                f"the server at {s.uri} has no database '{s.database}'; "
                "set NEO4J_DATABASE to one that exists, or create it"
            )
        if isinstance(e, nx_exc.TransientError) or "ConcurrentModification" in text:
            return ConcurrentWrite(
                f"another client wrote the same records at the same time ({text})", transient=True
            )
        if "ConstraintValidationFailed" in code or "DuplicatedKey" in text:
            return ConcurrentWrite(
                f"a record this load was creating was created by another client first ({text})",
                transient=False,
            )
        if isinstance(e, nx_exc.ServiceUnavailable | nx_exc.SessionExpired | OSError):
            return StoreUnavailable(
                f"no Bolt server is answering at {s.uri} (waited {s.timeout:g} s); "
                "start the server or check NEO4J_URI"
            )
        return StoreError(f"the server at {s.uri} reported an error: {text}")

    def _run(self, query: str, routing, **params) -> list[dict]:
        try:
            records, _, keys = self.driver.execute_query(
                query,
                params,
                database_=self.settings.database,
                routing_=routing,
            )
        except (nx_exc.Neo4jError, nx_exc.DriverError, OSError) as e:
            raise self._translate(e) from e
        # The project's queries return values, maps and lists, never nodes: no conversion
        # (``Record.data()``) is needed, and it costs more than reading the records.
        return [dict(zip(keys, r.values(), strict=True)) for r in records]

    def _read(self, query: str, **params) -> list[dict]:
        return self._run(query, RoutingControl.READ, **params)

    def _write(self, query: str, **params) -> list[dict]:
        self._kept.forget()
        return self._run(query, RoutingControl.WRITE, **params)

    def memo(self, key, build):
        return super().memo(key, lambda: self._kept.get(key, build, self.clock))

    def forget_reads(self) -> None:
        """Drop what is kept between analyses (see :mod:`graph.store.keeping`)."""
        self._kept.forget()

    def ensure_constraints(self) -> None:
        """Create every uniqueness constraint (idempotent)."""
        if self._constraints_done:
            return
        for stmt in cypher.all_constraints():
            self._write(stmt)
        self._constraints_done = True

    # -- writing -----------------------------------------------------------------------
    def existing_ids(self, label, ids):
        return self._existing(cypher.existing_node_ids(label), ids)

    def existing_rel_ids(self, rel_type, ids):
        return self._existing(cypher.existing_rel_ids(rel_type), ids)

    def _existing(self, query: str, ids) -> set:
        """The ids that ``query`` finds, asked in batches of :data:`BATCH_SIZE`."""
        ids = list(dict.fromkeys(ids))
        found: set = set()
        for i in range(0, len(ids), BATCH_SIZE):
            found |= {r["id"] for r in self._read(query, ids=ids[i : i + BATCH_SIZE])}
        return found

    def write(self, batch: GraphBatch, **options):
        self.ensure_constraints()
        return super().write(batch, **options)

    def _write_statements(self, batch: GraphBatch, existing) -> list[tuple[str, list]]:
        """``(query, rows)`` for every part of a planned batch: nodes merged, relationships
        known to exist merged, new ones created; each row's sources given beside its
        properties, added on the server to what it holds then."""
        statements = []
        for label, rows in batch.nodes.items():
            statements.append((cypher.merge_nodes(label), rows))
        for (t, a, b), rows in batch.rels.items():
            have = existing.get(t) if existing is not None else None
            if have is None:
                statements.append((cypher.merge_rels(t, a, b), rows))
                continue
            if isinstance(rows, FrameRows):
                known = rows.frame["id"].isin(have).to_numpy()
                new = FrameRows(rows.frame[~known], clears=rows.clears)
                old = FrameRows(rows.frame[known], clears=rows.clears)
            else:
                new = [r for r in rows if r["id"] not in have]
                old = [r for r in rows if r["id"] in have]
            statements.append((cypher.create_rels(t, a, b), new))  # new ids: no merge
            statements.append((cypher.merge_rels(t, a, b), old))
        return [(q, sources_apart(rows, "sources", SOURCES)) for q, rows in statements]

    def clock(self):
        rows = self._read(cypher.READ_CLOCK)
        return rows[0]["n"] if rows else 0

    def write_planned(self, batch: GraphBatch, progress=None, existing=None, gone=None, clock=None):
        self._kept.forget()
        statements = self._write_statements(batch, existing)
        try:
            with self.driver.session(database=self.settings.database) as session:
                with session.begin_transaction() as tx:
                    if clock is not None:
                        tick(tx, clock)
                    for t, ids in (gone.moved if gone is not None else {}).items():
                        in_parts(tx, cypher.delete_rels(t), "ids", sorted(ids))
                    total, done = sum(len(rows) for _q, rows in statements), 0
                    for query, rows in statements:
                        for i in range(0, len(rows), BATCH_SIZE):
                            chunk = rows[i : i + BATCH_SIZE]
                            tx.run(query, rows=chunk).consume()
                            done += len(chunk)
                            if progress is not None and done < total:
                                progress(done, total)
                    outcome = run_removal(tx, gone) if gone is not None else ({}, {})
                    tx.commit()
            return outcome
        except (nx_exc.Neo4jError, nx_exc.DriverError, OSError) as e:
            raise self._translate(e) from e

    def remove_ids(self, ids):
        self._kept.forget()
        ids = list(dict.fromkeys(ids))
        removed: dict = {}
        try:
            with self.driver.session(database=self.settings.database) as session:
                with session.begin_transaction() as tx:
                    tx.run(cypher.TICK_CLOCK).consume()
                    for t in REL_TYPES:
                        removed[t] = in_parts(tx, cypher.delete_rels(t), "ids", ids)
                    for label in NODE_LABELS:
                        for r in tx.run(cypher.ties_of_nodes(label), ids=ids):
                            removed[r["type"]] = removed.get(r["type"], 0) + r["n"]
                        removed[label] = in_parts(tx, cypher.detach_delete_nodes(label), "ids", ids)
                    tx.commit()
        except (nx_exc.Neo4jError, nx_exc.DriverError, OSError) as e:
            raise self._translate(e) from e
        return removed, {}

    def stored_nodes(self, label, ids):
        rows = []
        for part in parts(list(dict.fromkeys(ids))):
            rows += [
                _tupled(dict(p))
                for (p,) in self._packed(cypher.stored_nodes(label), ("p",), ids=part)
            ]
        return frame(rows, ("id",))

    def stored_rels(self, rel_type, ids):
        rows = []
        for part in parts(list(dict.fromkeys(ids))):
            for p, start, end in self._packed(
                cypher.stored_rels(rel_type), ("p", "start", "end"), ids=part
            ):
                rows.append(_tupled({**dict(p), "start": start, "end": end}))
        return frame(rows, ("id", "start", "end"))

    def of_source(self, source):
        out = {}
        for label in NODE_LABELS:
            out[("node", label)] = self._sourced(cypher.source_nodes(label), source)
        for t in REL_TYPES:
            out[("rel", t)] = self._sourced(cypher.source_rels(t), source)
        return out

    def _sourced(self, query: str, source: str) -> pd.DataFrame:
        rows = self._packed(query, ("id", SOURCES), source=source)
        return pd.DataFrame(
            {
                "id": [r[0] for r in rows],
                SOURCES: pd.Series([tuple(r[1]) for r in rows], dtype=object),
            }
        )

    def mark_load(self, load_id, props):
        self._write(cypher.MARK_LOAD, id=load_id, props=props)

    def load_history(self) -> pd.DataFrame:
        rows = []
        for r in self._read(cypher.LOAD_HISTORY):
            p = dict(r["p"])
            p["load_id"] = p.pop("id")
            rows.append(p)
        return frame(rows, ("load_id", "source", "status"), sort="started")

    # -- reading -----------------------------------------------------------------------
    def external_ids(self):
        return {r["id"] for r in self._read(cypher.EXTERNAL_PROJECTS)}

    def counts(self):
        nodes = {label: 0 for label in NODE_LABELS}
        for r in self._read(cypher.COUNT_NODES):
            label = _first_label(r["labels"])
            if label is not None:
                nodes[label] += r["n"]
        rels = {r["type"]: r["n"] for r in self._read(cypher.COUNT_RELS)}
        return {"nodes": nodes, "relationships": dict(sorted(rels.items()))}

    def _packed(self, query: str, columns, **params) -> list[list]:
        """The rows of ``query`` as lists in the order of ``columns``, sent as one record
        (:func:`graph.store.cypher.packed`)."""
        rows = self._read(cypher.packed(query, columns), **params)
        return rows[0]["rows"] if rows else []

    def node_table(self, label):
        return self.memo(("node_table", label), lambda: self._node_table(label)).copy()

    def _node_table(self, label):
        rows = [_tupled(dict(p)) for (p,) in self._packed(cypher.node_table(label), ("p",))]
        return frame(rows, ("id",))

    def rel_table(self, rel_type):
        return self.memo(("rel_table", rel_type), lambda: self._rel_table(rel_type)).copy()

    def _rel_table(self, rel_type):
        rows = []
        ends = ("p", "start", "end", "start_labels", "end_labels")
        for p, start, end, start_labels, end_labels in self._packed(
            cypher.rel_table(rel_type), ends
        ):
            row = _tupled(dict(p))
            row.update(
                start=start,
                end=end,
                start_label=_first_label(start_labels),
                end_label=_first_label(end_labels),
            )
            rows.append(row)
        return frame(rows, ("id", "start", "end", "start_label", "end_label"))

    def rel_pairs(self, rel_type):
        return self.memo(("rel_pairs", rel_type), lambda: self._rel_pairs(rel_type)).copy()

    def _rel_pairs(self, rel_type):
        columns = ("start", "end", "start_labels", "end_labels", "count")
        rows = [
            {
                "start_label": _first_label(start_labels),
                "start": start,
                "end_label": _first_label(end_labels),
                "end": end,
                "count": int(count),
            }
            for start, end, start_labels, end_labels, count in self._packed(
                cypher.rel_pairs(rel_type), columns
            )
        ]
        return pairs_frame(pd.DataFrame(rows, columns=list(PAIR_COLUMNS)))

    def nodes(self, label, filters=None):
        f = filters or Filters()  # kept as the sums are: one analysis asks two or three times
        return self.memo(("nodes", label, f), lambda: self._nodes(label, f)).copy()

    def _nodes(self, label, f):
        rows = [
            dict(p) for (p,) in self._packed(cypher.filtered_nodes(label), ("p",), **f.params())
        ]
        return frame(rows, ("id",))

    def funding_flows(self, filters=None):
        f = filters or Filters()
        rows = self._packed(cypher.FUNDING_FLOWS, FLOW_COLUMNS, **f.params())
        if not rows:
            return pd.DataFrame(columns=list(FLOW_COLUMNS))
        out = pd.DataFrame(rows, columns=list(FLOW_COLUMNS), dtype=object)
        for name, ident in (("donor", "donor_id"), ("recipient", "recipient_id")):
            named = out[name].notna().to_numpy() & (out[name] != "").to_numpy()
            out[name] = out[name].where(named, out[ident])  # no name: its id
        # typed first: text ids are then put in order by Arrow, not compared as objects
        return plain_missing(out).sort_values("flow_id", kind="stable", ignore_index=True)

    def ties_of(self, label, node_id, rel_types):
        types = [check_rel_type(t) for t in rel_types]
        rows = []
        for r in self._read(cypher.ties_of(label), id=node_id, types=types):
            p = dict(r["p"])
            row = {
                "type": r["type"],
                "id": p.pop("id", None),
                "start_label": _first_label(r["start_labels"]),
                "start": r["start"],
                "end_label": _first_label(r["end_labels"]),
                "end": r["end"],
            }
            rows.append({**p, **row})
        return ties_frame([pd.DataFrame(rows)] if rows else [], types)

    def neighbourhood(self, label, node_id, depth=1):
        check_label(label)
        start = self._read(cypher.node_by_id(label), id=node_id)
        if not start:
            return frame([], ("label", "id", "name")), frame([], ("id", "type", "start", "end"))
        p = start[0]["p"]
        seen = {(label, node_id): p.get("name") or p.get("title") or node_id}
        frontier = {(label, node_id)}
        rels = {}
        for _ in range(max(0, int(depth))):
            nxt = set()
            by_label: dict[str, list] = {}
            for lab, i in frontier:
                by_label.setdefault(lab, []).append(i)
            for lab, ids in by_label.items():
                for r in self._read(cypher.neighbours(lab), ids=ids):
                    rels[(r["type"], r["id"])] = {
                        "id": r["id"],
                        "type": r["type"],
                        "start": r["start"],
                        "end": r["end"],
                        "start_label": _first_label(r["start_labels"]),
                        "end_label": _first_label(r["end_labels"]),
                    }
                    other = (_first_label(r["other_labels"]), r["other"])
                    if other not in seen:
                        seen[other] = r["other_name"]
                        nxt.add(other)
            frontier = nxt
        nodes = [{"label": lab, "id": i, "name": str(n)} for (lab, i), n in seen.items()]
        nodes_df = frame(nodes, ("label", "id", "name"), sort=None)
        nodes_df = nodes_df.sort_values(["label", "id"]).reset_index(drop=True)
        rels_df = frame(list(rels.values()), ("id", "type", "start", "end"), sort=None)
        if len(rels_df):
            rels_df = rels_df.sort_values(["type", "id"]).reset_index(drop=True)
        return nodes_df, rels_df

    def clear(self) -> None:
        """Delete every node this project's schema knows (tests and re-imports)."""
        for stmt in cypher.delete_all():
            self._write(stmt)

    # -- funding aggregation: grouped by Cypher in the database --------------------------
    def _negative_rows(self, filters, flow_types):
        return self._read(cypher.NEGATIVE_FLOWS, flow_types=list(flow_types), **filters.params())

    def around(self, inst, *, ties=False):
        """:class:`~graph.store.around.Around` of ``inst`` in Cypher: a handful of queries,
        each answering with the organization's own neighbourhood (its projects, their
        events, partners and flows, its events and networks), never every project or flow.
        ``ties``: the partners' facts read beside the rest (else when first asked for)."""
        return self.memo(("around", inst), lambda: self._around(inst, ties))

    def _parties(self):
        """Each project's donors and recipients: a pass over every funding tie, kept."""
        return self.memo("parties", lambda: self._packed(cypher.PROJECT_PARTIES, PARTY_FACTS))

    def _around(self, inst, ties):
        rels = list(cypher.AROUND_REL_ENDS)
        # the independent reads side by side: the projects' flow years (and, for a figure
        # that counts partners, their parties and the partner pairs) are passes over every
        # tie of their type, the rest small; their own years are the project table's
        ahead = (self._parties, lambda: self.rel_pairs("PARTNER_IN")) if ties else ()
        *ends, money, year_rows, every = side_by_side(
            self,
            *(
                lambda q=cypher.AROUND_REL_ENDS[r]: set(self._read(q, inst=inst)[0]["ids"])
                for r in rels
            ),
            lambda: self._read(cypher.AROUND_MONEY, inst=inst)[0],
            lambda: self._packed(cypher.PROJECT_YEARS, ("project", "year")),
            lambda: self.node_table("Project"),
            *ahead,
        )[: len(rels) + 3]
        ends = dict(zip(rels, ends, strict=True))
        organized = ends["ORGANIZED"]
        funded = {p for p in money["funded"] if p is not None}
        projects = project_years(every, frozenset(ends["PARTNER_IN"] | funded))
        ids = projects["id"].tolist()
        own = set(ids)
        dated, of_projects = side_by_side(
            self,
            lambda: self._read(cypher.AROUND_EVENTS, ids=sorted(organized)),
            lambda: self._read(cypher.AROUND_PROJECT_EVENTS, ids=ids),
        )
        dated = {r["id"]: r["year"] for r in dated}
        events = pd.DataFrame(
            [{**r, "organized": r["id"] in organized} for r in of_projects]
            + [
                {"id": e, "year": dated.get(e), "project": None, "organized": True}
                for e in sorted(organized)
            ],
            columns=list(EVENT_COLUMNS),
        )
        events["year"] = pd.to_numeric(events["year"], errors="coerce")
        years = pd.DataFrame(year_rows, columns=["project", "year"])
        years = years[isin(years["project"], own) & years["year"].notna().to_numpy()]

        def tied():
            # partners from the relationship pairs (one pass, kept), not a lookup per id
            parties, pairs, at_events, members = side_by_side(
                self,
                self._parties,
                lambda: self.rel_pairs("PARTNER_IN"),
                lambda: self._read(cypher.AROUND_TIES["ORGANIZED"], ids=sorted(set(events["id"]))),
                lambda: self._read(cypher.AROUND_TIES["MEMBER_OF"], ids=sorted(ends["MEMBER_OF"])),
            )
            pairs = pairs[isin(pairs["end"], own) & (pairs["start_label"] == "Organization")]
            parts = [tie_part(pairs["start"], "project", pairs["end"])]
            for key, rows in (("event", at_events), ("network", members)):
                rows = pd.DataFrame(rows, columns=["org", "at"])
                parts.append(tie_part(rows["org"], key, rows["at"]))
            flows = pd.DataFrame(parties, columns=list(PARTY_FACTS))
            flows = flows[isin(flows["project"], own)]
            for side in ("donors", "recipients"):
                each = flows[["project", side]].explode(side).dropna(subset=[side])
                parts.append(tie_part(each[side], "project", each["project"]))
            parts.append(tie_part(pd.Series(money["counterparts"], dtype=object)))
            return parts  # as they came: Arrow text is matched as it is (isin)

        return Around(
            projects=projects.astype({"id": object}),
            all_projects=len(every),
            events=events.astype({"id": object, "project": object, "organized": bool}),
            flow_years=years.astype({"project": object, "year": float}),
            networks=frozenset(ends["MEMBER_OF"]),
            tied=tied,
        )

    def _in_money(self):
        return frozenset(self._read(cypher.IN_MONEY, external=False)[0]["ids"])

    def partners_in_role(self, role):
        rows = self._packed(cypher.PARTNERS_IN_ROLE, ("project", "org"), role=role)
        return pd.DataFrame(rows, columns=["project", "org"], dtype=object)

    def funding_pairs(self, a, b, filters=None, *, flow_types=None):
        if a not in cypher.FUNDING_KEY_EXPR or b not in cypher.FUNDING_KEY_EXPR:
            return super().funding_pairs(a, b, filters, flow_types=flow_types)  # says why
        f, types = filters or Filters(), check_flow_types(flow_types)
        key = ("funding_pairs", a, b, f, types)  # kept per load: several analyses share them
        return self.memo(key, lambda: self._pairs(a, b, f, types)).copy()

    def _pairs(self, a, b, f, types):
        query = cypher.funding_pairs(a, b)
        columns = ("a", "b", *cypher.SUM_COLUMNS)
        rows = self._packed(query, columns, flow_types=list(types), **f.params())
        table = pd.DataFrame(rows, columns=[a, b, *cypher.SUM_COLUMNS])
        # the same pass added up these flows by ``a``: kept as funding_totals((a,)) reads
        # them, so each project's donors and money cost one pass over the ties, not two
        sums = table.drop(columns=[b])
        self.memo(self._sums_key((a,), types, f), lambda: sums)
        lists = table[[a, b]].astype(object).explode(b)  # a row a pair
        pairs = lists[lists[b].notna()]
        # categoricals, as the embedded store's: each id held once, not once per pair
        return pd.DataFrame({c: categorical(pairs[c]) for c in (a, b)})

    def _funding_sums(self, keys, filters, flow_types):
        columns = (*keys, *cypher.SUM_COLUMNS)
        query = cypher.packed(cypher.funding_sums(keys), columns)
        rows = self._read(query, flow_types=list(flow_types), **filters.params())
        return pd.DataFrame(rows[0]["rows"] if rows else [], columns=list(columns))

    def _org_region_rows(self, scheme):
        return self._read(cypher.ORG_REGIONS, scheme=scheme)

    def _target_ties(self, scheme):
        columns = ("project", "target", "labels", "share")
        ties = pd.DataFrame(self._packed(cypher.TARGET_TIES, columns), columns=list(columns))
        ties.insert(2, "label", [_first_label(x) for x in ties.pop("labels")])
        places = {}
        for r in self._read(cypher.TARGET_PLACES, scheme=scheme):
            places[(_first_label(r["labels"]), r["target"])] = {
                "target_scheme": r["target_scheme"],
                "regions": sorted(r["regions"]),
                "members": sorted([c, sorted(g)] for c, g in r["members"] if c is not None),
            }
        return ties.astype(object), places

    def _region_member_rows(self, scheme):
        return self._read(cypher.REGION_MEMBERS, scheme=scheme)
