//! Values come off the wire exactly as the server wrote them.

use unitysvc::types::UpstreamResponseInfo;

#[test]
fn shortest_form_doubles_decode_to_the_same_bits() {
    // Without serde_json's float_roundtrip, values like these decode to a neighbour.
    let mut checked = 0;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut values = vec![4035.0334673125685_f64, 0.1, 1e-300, 123456.78901234567];
    for _ in 0..2000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let v = f64::from_bits(seed);
        if v.is_finite() {
            values.push(v.abs() % 1e7);
        }
    }
    for value in values {
        let text = format!(r#"{{"status_code": 200, "time_ms": {value:?}}}"#);
        let info: UpstreamResponseInfo = serde_json::from_str(&text).unwrap();
        assert_eq!(
            info.time_ms.map(f64::to_bits),
            Some(value.to_bits()),
            "{text}"
        );
        checked += 1;
    }
    assert!(checked > 1000);
}
