import Foundation
import TestSupport
import Testing

/// moto's S3 server on loopback, in a python3 child, with signature checking switched on
/// (unless `checkSignatures` is false).
///
/// moto accepts any signature unless IAM authentication is enabled. The child starts moto's
/// server (`ThreadedMotoServer`, the same WSGI app as `python3 -m moto.server`, bound to port 0
/// so there is no race for a free port), creates an IAM user with an access key allowed `s3:*`
/// and the buckets, then turns authentication on (`/moto-api/reset-auth` with 0): from then on
/// every request must carry a valid SigV4 signature, which moto recomputes with botocore's
/// signer. It prints the port and the key as one JSON line, then waits on stdin: it also exits
/// when this process dies and the pipe closes.
final class MotoServer {
    let peer: Peer
    let port: Int
    let accessKeyId: String
    let secretAccessKey: String
    static let region = "us-east-1"

    var endpoint: String { "http://127.0.0.1:\(port)" }

    static let script = #"""
        import json, os, sys, urllib.request
        import boto3
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        port = server.get_host_and_port()[1]
        endpoint = f"http://127.0.0.1:{port}"
        bootstrap = dict(endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
        iam = boto3.client("iam", **bootstrap)
        iam.create_user(UserName="datapilot")
        iam.put_user_policy(UserName="datapilot", PolicyName="objects", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="datapilot")["AccessKey"]
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        for bucket in sys.argv[1:]:
            s3.create_bucket(Bucket=bucket)
        if os.environ["MOTO_CHECK_SIGNATURES"] == "1":
            request = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                                             headers={"Content-Type": "text/plain"})
            urllib.request.urlopen(request).read()
        print(json.dumps({"port": port, "accessKeyId": key["AccessKeyId"],
                          "secretAccessKey": key["SecretAccessKey"]}), flush=True)
        sys.stdin.read()
        """#

    init(buckets: [String], checkSignatures: Bool = true) async throws {
        peer = try await Peer.python(
            "moto (python3 with moto 5, boto3 and flask)", Self.script, buckets,
            environment: ["MOTO_CHECK_SIGNATURES": checkSignatures ? "1" : "0"], ready: .announcesLine)
        struct Started: Decodable {
            let port: Int
            let accessKeyId: String
            let secretAccessKey: String
        }
        guard let started = try? JSONDecoder().decode(Started.self, from: Data(peer.announcement.utf8)) else {
            peer.stop()
            throw SetupError(
                .peerDidNotStart, "moto did not start (python3 with moto 5, boto3 and flask is needed): \(peer.log.suffix(2000))")
        }
        port = started.port
        accessKeyId = started.accessKeyId
        secretAccessKey = started.secretAccessKey
    }

    /// An independent S3 client: boto3 in a python3 child, path-style, with the valid key.
    /// Commands: `sha256 KEY` prints `<hex sha256> <size>`; `put KEY FILE`; `exists KEY` prints
    /// `yes` or `no`; `list PREFIX` prints one key a line.
    @discardableResult
    func boto3(_ bucket: String, _ arguments: String...) async throws -> String {
        try await runPython(
            #"""
            import hashlib, os, sys
            import boto3, botocore
            s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"], region_name="us-east-1",
                              aws_access_key_id=os.environ["S3_KEY_ID"], aws_secret_access_key=os.environ["S3_SECRET"],
                              config=botocore.config.Config(s3={"addressing_style": "path"}))
            bucket, command = sys.argv[1], sys.argv[2]
            if command == "sha256":
                body = s3.get_object(Bucket=bucket, Key=sys.argv[3])["Body"]
                digest, size = hashlib.sha256(), 0
                for chunk in iter(lambda: body.read(1 << 20), b""):
                    digest.update(chunk)
                    size += len(chunk)
                print(digest.hexdigest(), size)
            elif command == "put":
                with open(sys.argv[4], "rb") as f:
                    s3.put_object(Bucket=bucket, Key=sys.argv[3], Body=f)
            elif command == "exists":
                try:
                    s3.head_object(Bucket=bucket, Key=sys.argv[3])
                    print("yes")
                except botocore.exceptions.ClientError:
                    print("no")
            elif command == "list":
                for item in s3.list_objects_v2(Bucket=bucket, Prefix=sys.argv[3]).get("Contents", []):
                    print(item["Key"])
            elif command == "probe":
                # What S3 answers boto3's own one-key listing under a prefix: "ok" or the error code.
                try:
                    s3.list_objects_v2(Bucket=bucket, Prefix=sys.argv[3], MaxKeys=1)
                    print("ok")
                except botocore.exceptions.ClientError as error:
                    print(error.response["Error"]["Code"])
            """#, [bucket] + arguments,
            environment: ["S3_ENDPOINT": endpoint, "S3_KEY_ID": accessKeyId, "S3_SECRET": secretAccessKey]
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
