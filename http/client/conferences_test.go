package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/confgw/confgw/conference"
	confhttp "github.com/confgw/confgw/http"
	"github.com/confgw/confgw/http/client"
	"github.com/confgw/confgw/http/wire"
	"github.com/confgw/confgw/internal/apitest"
)

func TestCreateConferenceSendsTheSpec(t *testing.T) {
	env := apitest.Start(t)
	admin := client.New(env.Server.URL, apitest.AdminKey)
	off := false
	info, raw, err := admin.CreateConference(t.Context(), wire.NewConference{
		ID: "board", Title: "Board", DialIn: "5551234", PIN: "1234", BreakoutEnabled: &off,
	})
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "board" || info.Title != "Board" || info.DialIn != "5551234" || !info.PINRequired || info.BreakoutEnabled {
		t.Fatalf("info %+v", info)
	}
	sameJSON(t, raw, info)

	got, raw, err := admin.Conference(t.Context(), "board")
	if err != nil || got.ID != "board" || len(got.Rooms) != 1 {
		t.Fatalf("conference %+v: %v", got, err)
	}
	sameJSON(t, raw, got)
}

func TestCreateConferenceLeavesDefaultsToTheServer(t *testing.T) {
	env := apitest.Start(t)
	info, _, err := client.New(env.Server.URL, apitest.AdminKey).CreateConference(t.Context(), wire.NewConference{Title: "Ad hoc"})
	if err != nil {
		t.Fatal(err)
	}
	if info.ID == "" || info.DialIn != info.ID || info.PINRequired || !info.BreakoutEnabled {
		t.Fatalf("info %+v", info)
	}
}

func TestSetBreakoutAndEnd(t *testing.T) {
	k := newClinic(t)
	host := k.as(k.host)
	info, raw, err := host.SetBreakout(t.Context(), "c", false)
	if err != nil || info.BreakoutEnabled {
		t.Fatalf("off: %+v %v", info, err)
	}
	sameJSON(t, raw, info)
	if info, _, err = host.SetBreakout(t.Context(), "c", true); err != nil || !info.BreakoutEnabled {
		t.Fatalf("on: %+v %v", info, err)
	}
	if err := host.EndConference(t.Context(), "c"); !errors.Is(err, conference.ErrAdminRequired) {
		t.Fatalf("host ends: %v", err)
	}
	if err := k.admin.EndConference(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.admin.Conference(t.Context(), "c"); !errors.Is(err, conference.ErrNotFound) {
		t.Fatalf("after end: %v", err)
	}
}

// ringer answers dial-outs by adding a ringing phone participant.
type ringer struct{}

func (ringer) DialOut(_ context.Context, c *conference.Conference, to string) (conference.Participant, error) {
	return c.AddPhone(conference.PhoneSpec{Number: to, Direction: conference.DialOut, State: conference.PhoneRinging})
}

func TestDialOut(t *testing.T) {
	k := newClinic(t, func(o *confhttp.Options) { o.Dialer = ringer{} })
	p, raw, err := k.as(k.host).DialOut(t.Context(), "c", "+15551234")
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != conference.KindPhone || p.Phone == nil || p.Phone.Number != "+15551234" || p.Phone.State != conference.PhoneRinging {
		t.Fatalf("participant %+v", p)
	}
	sameJSON(t, raw, struct {
		Participant conference.Participant `json:"participant"`
	}{p})
}

func TestDialOutWithoutTrunk(t *testing.T) {
	k := newClinic(t)
	_, _, err := k.as(k.host).DialOut(t.Context(), "c", "+15551234")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict || apiErr.Code != "no_outbound_trunk" {
		t.Fatalf("err %v", err)
	}
}

func TestAnAdminWalksEveryConferenceByFollowingNext(t *testing.T) {
	env := apitest.Start(t)
	admin := client.New(env.Server.URL, apitest.AdminKey)
	for _, id := range []string{"c", "a", "e", "b", "d"} {
		if _, _, err := admin.CreateConference(t.Context(), wire.NewConference{ID: id, Title: id}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	after := ""
	for pages := 0; ; pages++ {
		if pages == 5 {
			t.Fatalf("no end after %d pages: %v", pages, seen)
		}
		page, raw, err := admin.Conferences(t.Context(), after, 2)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, raw, page)
		for _, in := range page.Conferences {
			seen = append(seen, in.ID)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if strings.Join(seen, " ") != "a b c d e" {
		t.Fatalf("walked %v", seen)
	}
}

func TestListingConferencesLeavesThePageSizeToTheServerAndReportsItsRefusals(t *testing.T) {
	env := apitest.Start(t)
	admin := client.New(env.Server.URL, apitest.AdminKey)
	if page, _, err := admin.Conferences(t.Context(), "", 0); err != nil || page.Conferences == nil || page.Next != "" {
		t.Fatalf("default page of none: %+v %v", page, err)
	}
	if _, _, err := admin.Conferences(t.Context(), "", wire.ConferencePageMax+1); !errors.Is(err, conference.ErrInvalid) {
		t.Fatalf("limit over the maximum: %v", err)
	}
	k := newClinic(t)
	if _, _, err := k.as(k.host).Conferences(t.Context(), "", 0); !errors.Is(err, conference.ErrAdminRequired) {
		t.Fatalf("a host lists: %v", err)
	}
}

func TestAConferenceCursorIsEscaped(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.RawQuery
		w.Write([]byte(`{"conferences":[],"next":""}`))
	}))
	defer srv.Close()
	if _, _, err := client.New(srv.URL, "k").Conferences(t.Context(), "a&limit=1", 3); err != nil {
		t.Fatal(err)
	}
	if q := <-got; q != "after=a%26limit%3D1&limit=3" {
		t.Fatalf("query %q", q)
	}
}
