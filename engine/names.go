package engine

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"strings"

	"berth/internal/lazyregexp"
)

// validName is docker's rule for container names.
var validName = lazyregexp.New(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

func checkName(name string) error {
	if !validName().MatchString(name) {
		return invalidf("%q: %v, only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name, ErrInvalidName)
	}
	return nil
}

// newID returns 64 random hex digits whose 12-digit short form is never all
// digits, so a short ID cannot be mistaken for a number (as moby does).
func newID() string {
	b := make([]byte, 32)
	for {
		rand.Read(b)
		id := hex.EncodeToString(b)
		if strings.Trim(id[:12], "0123456789") != "" {
			return id
		}
	}
}

var (
	nameAdjectives = strings.Fields(`admiring adoring agitated amazing angry awesome blissful bold
		boring brave busy charming clever cool compassionate competent condescending confident
		cranky crazy dazzling determined distracted dreamy eager ecstatic elastic elated elegant
		eloquent epic fervent festive flamboyant focused friendly frosty gallant gifted goofy
		gracious happy hardcore heuristic hopeful hungry infallible inspiring jolly jovial keen
		kind laughing loving lucid magical modest musing mystifying naughty nervous nice nifty
		nostalgic objective optimistic peaceful pedantic pensive practical priceless quirky
		quizzical recursing relaxed reverent romantic sad serene sharp silly sleepy stoic strange
		stupefied suspicious sweet tender thirsty trusting unruffled upbeat vibrant vigilant
		vigorous wizardly wonderful xenodochial youthful zealous zen`)
	nameNouns = strings.Fields(`anchor barge beacon bollard bosun breakwater buoy capstan cargo
		cleat compass corsair coxswain crane cutter davit dinghy dock dory dredge ferry fjord
		frigate galley gangway harbor hawser helm hull inlet jetty keel ketch lagoon lantern
		lighthouse lock mariner marina mast mooring navigator oar outrigger pier pilot pontoon
		port quay raft reef rigging rudder sail schooner sextant skiff sloop sonar spar starboard
		steamer tanker tide tugboat wharf yacht yawl`)
)

func randomName() string {
	return pick(nameAdjectives) + "_" + pick(nameNouns)
}

func pick(words []string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
	return words[n.Int64()]
}
