package sipphone

import "testing"

func TestOfferParsesBack(t *testing.T) {
	rm, err := parseSDP(offerSDP("127.0.0.1", 4000, []string{"PCMA", "PCMU"}, "sendonly", ""))
	if err != nil {
		t.Fatal(err)
	}
	if rm.addr.Port != 4000 || rm.pt != 8 || rm.eventPT != 101 || rm.direction != "sendonly" {
		t.Fatalf("parsed %+v", rm)
	}
	if _, err := parseSDP(offerSDP("127.0.0.1", 4000, []string{"G729"}, "", "")); err == nil {
		t.Fatal("an offer without G.711 parsed as usable")
	}
}

func TestASecureOfferParsesBackWithItsKey(t *testing.T) {
	key := make([]byte, keyLen)
	key[0] = 7
	rm, err := parseSDP(offerSDP("127.0.0.1", 4000, []string{"PCMU"}, "sendrecv", crypto("3", suite80, key)))
	if err != nil {
		t.Fatal(err)
	}
	if !rm.secure || len(rm.cryptos) != 1 || rm.cryptos[0].tag != "3" || rm.cryptos[0].key[0] != 7 {
		t.Fatalf("parsed %+v", rm)
	}
}
