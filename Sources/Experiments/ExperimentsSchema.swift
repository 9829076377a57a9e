import ObjectAPI
import Postgres

public enum ExperimentsSchema {
    public static let migrations = [
        Migration(600, "experiments", ObjectJSON.createSQL(table: "experiments")),
        Migration(601, "runs", ObjectJSON.createSQL(table: "runs")),
    ]
}
