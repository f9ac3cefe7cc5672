# Runnable image of the fieldseal Streams app, built from the shaded jar:
#   mvn -B -pl streams-app -am package -DskipTests
#   docker build -f docker/streams-app.Dockerfile -t fieldseal-streams .
#   docker run --rm -v $PWD/my-app.properties:/config/app.properties:ro -p 8080:8080 fieldseal-streams
# The config is mounted at /config/app.properties (relative paths inside it, e.g. Avro schemas,
# resolve against /config). Stop with SIGTERM (docker stop): Kafka Streams commits and closes.
FROM eclipse-temurin:17-jre

ARG VERSION=0.1.0-SNAPSHOT
RUN groupadd --system --gid 10001 fieldseal \
    && useradd --system --uid 10001 --gid fieldseal --home-dir /app --shell /usr/sbin/nologin fieldseal \
    && mkdir -p /app /config \
    && chown fieldseal:fieldseal /app
COPY --chown=fieldseal:fieldseal streams-app/target/fieldseal-streams-${VERSION}.jar /app/fieldseal-streams.jar
COPY --chown=fieldseal:fieldseal schemas/ /config/schemas/

USER 10001:10001
WORKDIR /app
EXPOSE 8080
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["java", "-jar", "/app/fieldseal-streams.jar"]
CMD ["run", "--config", "/config/app.properties"]
