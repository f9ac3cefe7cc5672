# Connect worker image with the fieldseal plugin, for the local compose stack (docker/compose.yaml):
#   mvn -B -DskipTests package     # produces smt/target/plugin/fieldseal-smt/lib/*.jar
#   docker build -f docker/connect.Dockerfile -t fieldseal/connect .
# The base is the stock Apache Kafka image (same version as <kafka.version> in pom.xml): it has
# connect-distributed.sh, the stock transforms and the FileStream connectors, and nothing else to trust.
ARG KAFKA_VERSION=4.3.1
FROM apache/kafka:${KAFKA_VERSION}

# The plugin directory exactly as the build produces it (also zipped as fieldseal-smt-<version>-plugin.zip).
COPY --chown=appuser:appuser smt/target/plugin/fieldseal-smt /opt/connect-plugins/fieldseal-smt
COPY --chown=appuser:appuser docker/connect/connect-distributed.properties /opt/kafka/config/fieldseal-connect.properties

USER appuser
EXPOSE 8083
ENV KAFKA_OPTS="-Djdk.httpclient.allowRestrictedHeaders=content-length"
CMD ["/opt/kafka/bin/connect-distributed.sh", "/opt/kafka/config/fieldseal-connect.properties"]
