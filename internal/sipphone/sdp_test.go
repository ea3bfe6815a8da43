package sipphone

import "testing"

func TestOfferParsesBack(t *testing.T) {
	rm, err := parseSDP(offerSDP("127.0.0.1", 4000, []string{"PCMA", "PCMU"}, "sendonly"))
	if err != nil {
		t.Fatal(err)
	}
	if rm.addr.Port != 4000 || rm.pt != 8 || rm.eventPT != 101 || rm.direction != "sendonly" {
		t.Fatalf("parsed %+v", rm)
	}
	if _, err := parseSDP(offerSDP("127.0.0.1", 4000, []string{"G729"}, "")); err == nil {
		t.Fatal("an offer without G.711 parsed as usable")
	}
}
