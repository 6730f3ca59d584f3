package compiled

import (
	"strconv"

	"mlp/internal/page"
)

// connSpec describes a Relay connection of the compilable set, paged by a
// (time, id) keyset the way the services page it (page.Newest, the timeline
// loader): first (page.Args.Limit's rule), after (page.TimeCursor's), limit+1
// rows to learn hasNextPage, totalCount counted without the cursor.
type connSpec struct {
	name, edge string
	node       *objectType
	table      string
	// where returns the conditions of a row named t (scope and filters).
	where func(c *compiler, t string) string
	// order is the keyset order of rows named t.
	order func(t string) string
	// after is the comparison of (keyColumn, id) with the cursor: "<" for
	// newest first, ">" for oldest first.
	after     string
	keyColumn string
	// afterCond, when set, writes the cursor condition instead (its own
	// keyset); cursorSQL, when set, the cursor of a row named t.
	afterCond func(c *compiler, t string, f *field) string
	cursorSQL func(t string) string
	// audited makes the connection a root's derived table (columns v, the
	// JSON, and a, the ids of the page's rows): each is audited as read.
	audited bool
	// count, when set, writes totalCount's expression instead of counting
	// table (a table that is a page already); counted makes the connection
	// a root's derived table with columns v and n, the rows read.
	count   func(c *compiler) string
	counted bool
}

// limitBinder reads first as page.Args.Limit does.
func limitBinder(f *field) binder {
	read := argReader(f, "first")
	return func(e *env) (any, bool) {
		var a page.Args
		if v := read(e); v != nil {
			n, ok := intValue(v)
			if !ok {
				return nil, false
			}
			a.First = &n
		}
		n, err := a.Limit()
		return n, err == nil
	}
}

// cursorBinders read after as the services do; both parameters are null
// without a cursor.
func cursorBinders(f *field) (at, id binder) {
	read := argReader(f, "after")
	parse := func(e *env) (parts []string, ok bool) {
		v := read(e)
		if v == nil {
			return nil, true
		}
		s, isStr := v.(string)
		if !isStr {
			return nil, false
		}
		cur, err := page.Args{After: &s}.Cursor(2)
		if err != nil {
			return nil, false
		}
		if cur == nil {
			return nil, true
		}
		if _, _, err := page.TimeCursor(cur[0], cur[1]); err != nil {
			return nil, false
		}
		return cur, true
	}
	at = func(e *env) (any, bool) {
		cur, ok := parse(e)
		if !ok || cur == nil {
			return nil, ok
		}
		t, _, _ := page.TimeCursor(cur[0], cur[1])
		return t, true
	}
	id = func(e *env) (any, bool) {
		cur, ok := parse(e)
		if !ok || cur == nil {
			return nil, ok
		}
		_, u, _ := page.TimeCursor(cur[0], cur[1])
		return u, true
	}
	return at, id
}

// connection writes the JSON of a connection field f.
func (c *compiler) connection(s *connSpec, f *field) (string, error) {
	// first is checked at every execution, as the services check it even
	// when no row is selected; it is a parameter only when the SQL uses it
	// (PostgreSQL cannot type a parameter it never sees).
	limB := limitBinder(f)
	limP := ""
	limit := func() string {
		if limP == "" {
			limP = c.bind(limB) + "::int"
		}
		return limP
	}
	t := c.alias("r")
	conds := s.where(c, t)
	switch {
	case s.afterCond != nil:
		conds += " AND " + s.afterCond(c, t, f)
	case c.arg(f, "after") != nil:
		atB, idB := cursorBinders(f)
		at, idp := c.bind(atB)+"::timestamptz", c.bind(idB)+"::uuid"
		conds += " AND (" + at + " IS NULL OR (" + t + "." + s.keyColumn + ", " + t + ".id) " + s.after + " (" + at + ", " + idp + "))"
	}
	cursor := page.TimeKeySQL(t+"."+s.keyColumn, t+".id")
	if s.cursorSQL != nil {
		cursor = s.cursorSQL(t)
	}

	fields, err := c.collect(f.sel, s.name)
	if err != nil {
		return "", err
	}
	var j jsonText
	rows := false
	j.literal("{")
	for i, cf := range fields {
		if i > 0 {
			j.literal(",")
		}
		j.literal(strconv.Quote(cf.key()) + ":")
		switch cf.Name {
		case "__typename":
			j.literal(strconv.Quote(s.name))
		case "totalCount":
			if s.count != nil {
				j.expr("(" + s.count(c) + ")::text")
				break
			}
			tc := c.alias("n")
			j.expr("(SELECT count(*) FROM " + s.table + " " + tc + " WHERE " + s.where(c, tc) + ")::text")
		case "edges":
			rows = true
			edge, err := c.edge(s, t, cursor, cf)
			if err != nil {
				return "", err
			}
			j.literal("[")
			j.expr("coalesce(string_agg(" + edge + ", ',' ORDER BY " + t + "._rn) FILTER (WHERE " + t + "._rn <= " + limit() + "), '')")
			j.literal("]")
		case "pageInfo":
			rows = true
			info, err := c.collect(cf.sel, "PageInfo")
			if err != nil {
				return "", err
			}
			j.literal("{")
			for k, pf := range info {
				if k > 0 {
					j.literal(",")
				}
				j.literal(strconv.Quote(pf.key()) + ":")
				switch pf.Name {
				case "__typename":
					j.literal(`"PageInfo"`)
				case "hasNextPage":
					j.expr("(count(*) > " + limit() + ")::text")
				case "endCursor":
					j.expr(`coalesce('"' || (array_agg(` + cursor + ` ORDER BY ` + t + `._rn DESC) FILTER (WHERE ` + t + `._rn <= ` + limit() + `))[1] || '"', 'null')`)
				default:
					return "", errNotCompilable
				}
			}
			j.literal("}")
		default:
			return "", errNotCompilable
		}
	}
	j.literal("}")
	// GROUP BY (): one row of aggregates even when the selection uses none
	// (a pageInfo whose fields are all skipped).
	if !rows && !s.audited && !s.counted {
		c.checks = append(c.checks, limB)
		return j.sql(), nil
	}
	order := s.order(t)
	sel := j.sql()
	if s.counted {
		sel += " AS v, count(*) AS n"
	}
	if s.audited {
		sel += " AS v, array_to_string(array_agg(" + t + ".id ORDER BY " + t + "._rn) FILTER (WHERE " + t + "._rn <= " + limit() + "), ',') AS a"
	}
	sql := "SELECT " + sel + " FROM (SELECT " + t + ".*, row_number() OVER (ORDER BY " + order + ") AS _rn FROM " +
		s.table + " " + t + " WHERE " + conds + " ORDER BY " + order + " LIMIT " + limit() + " + 1) " + t + " GROUP BY ()"
	if s.audited || s.counted {
		return sql, nil
	}
	return "(" + sql + ")", nil
}

// edge writes one edge of a connection for the row t.
func (c *compiler) edge(s *connSpec, t, cursor string, f *field) (string, error) {
	fields, err := c.collect(f.sel, s.edge)
	if err != nil {
		return "", err
	}
	var j jsonText
	j.literal("{")
	for i, ef := range fields {
		if i > 0 {
			j.literal(",")
		}
		j.literal(strconv.Quote(ef.key()) + ":")
		switch ef.Name {
		case "__typename":
			j.literal(strconv.Quote(s.edge))
		case "cursor":
			j.literal(`"`)
			j.expr(cursor)
			j.literal(`"`)
		case "node":
			obj, err := c.object(s.node, t, ef.sel)
			if err != nil {
				return "", err
			}
			j.expr(obj)
		default:
			return "", errNotCompilable
		}
	}
	j.literal("}")
	return j.sql(), nil
}
