/// The one place `dpctl plan` chooses its quality gate. When the QualityEngine module (the
/// server's evaluation code) is linked in, this becomes its adapter, e.g.
/// `public static let standard: any QualityGate = QualityEngineGate()`.
public enum QualityGates {
    public static let standard: any QualityGate = NoQualityEngine()
}
