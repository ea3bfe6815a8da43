package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/recording"
)

// The views write tab-separated rows for the tabwriter show sets up.

func writeParticipants(w io.Writer, ps []conference.Participant) {
	fmt.Fprintln(w, "ID\tNAME\tKIND\tROLE\tROOM\tMODERATOR\tMUTED\tHAND\tHELP\tCLIENT/PHONE")
	for _, p := range ps {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Kind, p.Role, p.Room,
			yesOrBlank(p.Moderator), muted(p), wordOrBlank(p.Hand, "up"), wordOrBlank(p.Help, "asked"), clientOrPhone(p))
	}
}

// wordOrBlank fills a flag's column only where it is set, so the few
// raised hands and requests for help stand out in a long list.
func wordOrBlank(b bool, word string) string {
	if b {
		return word
	}
	return ""
}

// muted is the MUTED column: blank, yes, or locked for a host's mute the
// participant cannot undo.
func muted(p conference.Participant) string {
	switch {
	case p.Locked:
		return "locked"
	case p.Muted:
		return "yes"
	}
	return ""
}

func writeParticipant(w io.Writer, p conference.Participant) {
	writeParticipants(w, []conference.Participant{p})
}

func clientOrPhone(p conference.Participant) string {
	if p.Phone == nil {
		return p.ClientVersion
	}
	return p.Phone.Number + " " + string(p.Phone.Direction) + " " + string(p.Phone.State)
}

func writeBans(w io.Writer, bans []conference.Ban) {
	fmt.Fprintln(w, "NUMBER\tNAME\tBANNED BY\tAT\tREASON")
	for _, b := range bans {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", b.Key(), b.Name, b.BannedBy, b.At.Format(time.RFC3339), b.Reason)
	}
}

func writeRooms(w io.Writer, rooms []conference.Room) {
	fmt.Fprintln(w, "ROOM\tNAME\tCOUNT\tPARTICIPANTS")
	for _, r := range rooms {
		names := make([]string, len(r.Participants))
		for i, p := range r.Participants {
			names[i] = p.Name
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", r.ID, r.Name, r.Count, strings.Join(names, ", "))
	}
}

func writeRoom(w io.Writer, r conference.Room) {
	writeRooms(w, []conference.Room{r})
}

// writeConference is what a newly created or changed conference needs to
// be reached: its id, dial-in and settings.
func writeConference(w io.Writer, in conference.Info) {
	rec := "off"
	if in.Recording != nil {
		rec = in.Recording.ID
	}
	fmt.Fprintf(w, "ID\t%s\nTITLE\t%s\nDIAL-IN\t%s\nPIN\t%s\nBREAKOUT\t%s\nKEYPAD\t%s\nRECORDING\t%s\n",
		in.ID, in.Title, in.DialIn, pinOf(in), onOff(in.BreakoutEnabled), onOff(in.Keypad), rec)
}

func writeConferences(w io.Writer, list []conference.Info) {
	fmt.Fprintln(w, "ID\tTITLE\tDIAL-IN\tPIN\tBREAKOUT\tPARTICIPANTS")
	for _, in := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\n", in.ID, in.Title, in.DialIn, pinOf(in), onOff(in.BreakoutEnabled), len(in.Participants))
	}
}

func pinOf(in conference.Info) string {
	if in.PINRequired {
		return "required"
	}
	return "none"
}

// writeConferenceDetail adds the rooms and participants; the blank lines
// end one table's columns before the next starts.
func writeConferenceDetail(w io.Writer, in conference.Info) {
	writeConference(w, in)
	fmt.Fprintln(w)
	writeRooms(w, in.Rooms)
	fmt.Fprintln(w)
	writeParticipants(w, in.Participants)
}

func writeJoined(w io.Writer, j wire.Joined) {
	fmt.Fprintf(w, "ID\t%s\nNAME\t%s\nROLE\t%s\nTOKEN\t%s\n", j.Participant.ID, j.Participant.Name, j.Participant.Role, j.Token)
}

func writeRecording(w io.Writer, r conference.Recording) {
	fmt.Fprintln(w, "RECORDING\tROOM\tSTARTED")
	fmt.Fprintf(w, "%s\t%s\t%s\n", r.ID, r.Room, when(r.StartedAt))
}

func writeRecordings(w io.Writer, files []recording.Info) {
	fmt.Fprintln(w, "ID\tSTARTED\tSTOPPED\tDURATION\tBYTES\tSTATE")
	for _, f := range files {
		// The reason goes last: it has spaces of its own.
		state := f.State
		if f.Error != "" {
			state += ": " + f.Error
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\n", f.ID, when(f.Started), when(f.Stopped),
			(time.Duration(f.DurationMS) * time.Millisecond).String(), f.Bytes, state)
	}
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func yesOrBlank(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
