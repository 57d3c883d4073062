package cli

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"berth/images"
)

const historyDefaultTable = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"

var historyHeaders = map[string]string{
	"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
	"CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT",
}

func (a *app) historyCommand() *cobra.Command {
	var human, noTrunc, quiet bool
	var format string
	cmd := newCommand("history [OPTIONS] IMAGE", "Show the history of an image", exactArgs(1), nil)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if quiet {
			format = "{{.ID}}"
		}
		out, err := parseFormat(format, historyDefaultTable)
		if err != nil {
			return usageError(cmd.CommandPath(), err)
		}
		store, err := a.images()
		if err != nil {
			return err
		}
		steps, err := store.History(args[0])
		if err != nil {
			return err
		}
		rows := make([]any, len(steps))
		for i, h := range steps {
			rows[i] = historyRow{h: h, human: human, trunc: !noTrunc, now: a.sys.now()}
		}
		return out.write(a.stdout, historyHeaders, rows)
	}
	flags := cmd.Flags()
	flags.BoolVarP(&human, "human", "H", true, "print sizes and dates in human readable format")
	flags.BoolVar(&noTrunc, "no-trunc", false, "don't truncate output")
	flags.BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	flags.StringVar(&format, "format", "", "format output: table, table TEMPLATE, json, or a Go template ({{.CreatedBy}}…)")
	return cmd
}

// historyRow is one step of `berth history`, as its placeholders see it.
type historyRow struct {
	h     images.History
	human bool
	trunc bool
	now   time.Time
}

func (r historyRow) ID() string {
	switch {
	case r.h.ID == "":
		return "<missing>"
	case r.trunc:
		return truncateID(r.h.ID)
	}
	return "sha256:" + strings.TrimPrefix(r.h.ID, "sha256:")
}

func (r historyRow) CreatedSince() string {
	if !r.human {
		return r.CreatedAt()
	}
	return ago(r.now, r.h.Created)
}

func (r historyRow) CreatedAt() string { return r.h.Created.Format(time.RFC3339) }

func (r historyRow) CreatedBy() string {
	by := strings.ReplaceAll(r.h.CreatedBy, "\t", " ")
	if r.trunc {
		by = ellipsis(by, 45)
	}
	return by
}

func (r historyRow) Size() string {
	if !r.human {
		return strconv.FormatInt(r.h.Size, 10)
	}
	return humanSize(r.h.Size)
}

func (r historyRow) Comment() string { return r.h.Comment }

// MarshalJSON is {{json .}} and --format json, as docker.
func (r historyRow) MarshalJSON() ([]byte, error) {
	return marshalRow(map[string]string{
		"ID": r.ID(), "CreatedSince": r.CreatedSince(), "CreatedAt": r.CreatedAt(),
		"CreatedBy": r.CreatedBy(), "Size": r.Size(), "Comment": r.Comment(),
	})
}
