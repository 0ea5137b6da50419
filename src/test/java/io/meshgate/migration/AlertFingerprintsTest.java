package io.meshgate.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AlertFingerprintsTest {
  @Test
  void alertmanagerFingerprintsAreTheirSixtyFourBits() {
    assertThat(AlertFingerprints.parse("ffffffffffffffff")).isEqualTo(-1L);
    assertThat(AlertFingerprints.parse("1d2c3b4a5f6e7d8c")).isEqualTo(0x1d2c3b4a5f6e7d8cL);
  }

  @Test
  void anyOtherIdIsHashedTheSameWayEachTime() {
    assertThat(AlertFingerprints.parse("hold-17")).isEqualTo(AlertFingerprints.parse("hold-17"));
    assertThat(AlertFingerprints.parse("hold-17")).isNotEqualTo(AlertFingerprints.parse("hold-18"));
    assertThat(AlertFingerprints.parse("zzzzzzzzzzzzzzzz"))
        .isNotEqualTo(AlertFingerprints.parse("zzzzzzzzzzzzzzzy"));
  }

  @Test
  void encodedTheyComeBackTheSameAndTakeEightBytesEach() {
    AlertFingerprints set =
        AlertFingerprints.EMPTY.with(new long[] {5, -3, 5, Long.MAX_VALUE, Long.MIN_VALUE}, 100);

    AlertFingerprints decoded = AlertFingerprints.decode(set.encoded());

    assertThat(decoded).isEqualTo(set);
    assertThat(decoded.size()).isEqualTo(4);
    assertThat(decoded.contains(-3)).isTrue();
    assertThat(set.encoded()).hasSize(44);
  }

  @Test
  void withRespectsTheCapacityKeepingWhatWasThere() {
    AlertFingerprints set = AlertFingerprints.EMPTY.with(new long[] {10, 20}, 3);

    AlertFingerprints full = set.with(new long[] {1, 2, 3}, 3);

    assertThat(full.size()).isEqualTo(3);
    assertThat(full.contains(10)).isTrue();
    assertThat(full.contains(20)).isTrue();
  }

  @Test
  void aStoredValueThatIsNoWholeNumberOfFingerprintsIsRefused() {
    assertThatThrownBy(() -> AlertFingerprints.decode("AAAA"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("alert fingerprints: 3 bytes is not a whole number of fingerprints");
  }

  @Test
  void nothingStoredIsTheEmptySet() {
    assertThat(AlertFingerprints.decode(null)).isEqualTo(AlertFingerprints.EMPTY);
    assertThat(AlertFingerprints.decode("")).isEqualTo(AlertFingerprints.EMPTY);
  }
}
