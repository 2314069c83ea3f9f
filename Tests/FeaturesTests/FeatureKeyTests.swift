import Testing

@testable import Features

/// Keys are stored in snapshots and must not change from one version to the next: FNV-1a, then MurmurHash3's
/// finalizer (the values from an independent implementation).
@Suite struct FeatureKeyTests {
    @Test func keysAreFNV1aMixed() {
        #expect(FeatureKey.of("sku-1") == 0xb360_dc87_d45a_ee69)
        #expect(FeatureKey.of("") == 0xefd0_1f60_ba99_2926)
        #expect(ItemKeys.priceBandKey(100) == FeatureKey.of("p3"))
        #expect(FeatureKey.of("p3") == 0x4d4d_da29_3b6b_7455)
    }
}
