import ObjectAPI
import Postgres

public enum QualitySchema {
    public static let migrations = [
        Migration(500, "quality rules", ObjectJSON.createSQL(table: "quality_rules")),
    ]
}
