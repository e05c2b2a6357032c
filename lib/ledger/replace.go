package ledger

import (
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// sameProvider refuses a --replace whose file is evidently another
// source's: its provider (ServiceProviderName or ProviderName) differs
// from the replaced import's, or it shares no service with it. A corrected
// re-export of the same source keeps its provider and most services; one
// that adds a service (late usage) is still the same source and passes.
// Imports made before providers were kept (NULL) are compared by services
// only. --allow-provider-change lets a deliberate swap through.
func sameProvider(tx *Tx, opt ImportOptions, old []int64, parsed *parseResult) error {
	newServices := map[string]bool{}
	for k := range parsed.sums {
		newServices[k.serviceName] = true
	}
	newProviders := joinSorted(parsed.providers)
	for _, id := range old {
		var providers sql.NullString
		if err := tx.QueryRow(`SELECT providers FROM imports WHERE id = ?`, id).Scan(&providers); err != nil {
			return fmt.Errorf("replace import %d: %w", id, err)
		}
		if providers.Valid && providers.String != newProviders {
			return refused("%s: the file's provider (%s) is not that of import %d it would replace (%s): wrong file for source %s? Nothing imported; if the source really changed provider, give --allow-provider-change",
				opt.FileName, providerText(newProviders), id, providerText(providers.String), opt.Source)
		}
		services, err := stringColumn(tx, `SELECT DISTINCT service_name FROM import_lines WHERE import_id = ? ORDER BY service_name`, id)
		if err != nil {
			return fmt.Errorf("replace import %d: %w", id, err)
		}
		shared := false
		for _, s := range services {
			if newServices[s] {
				shared = true
				break
			}
		}
		if len(services) > 0 && !shared {
			var mine []string
			for s := range newServices {
				mine = append(mine, s)
			}
			sort.Strings(mine)
			return refused("%s: none of the file's services (%s) is among those of import %d it would replace (%s): wrong file for source %s? Nothing imported; if the source really changed, give --allow-provider-change",
				opt.FileName, listText(mine), id, listText(services), opt.Source)
		}
	}
	return nil
}

// joinSorted is a set of names as stored in imports.providers: sorted,
// one a line.
func joinSorted(names []string) string {
	s := slices.Clone(names)
	sort.Strings(s)
	return strings.Join(s, "\n")
}

func providerText(stored string) string {
	if stored == "" {
		return "none named"
	}
	return strings.ReplaceAll(stored, "\n", ", ")
}

// listText names up to five items and counts the rest.
func listText(items []string) string {
	if len(items) > 5 {
		return strings.Join(items[:5], ", ") + fmt.Sprintf(" and %d more", len(items)-5)
	}
	return strings.Join(items, ", ")
}
