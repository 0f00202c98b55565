package dev.netfault.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The README's first example is taken from a test that runs with the others: every line of it must be a
 * line of that test, in the same order (the README may leave lines out: the package, some imports,
 * {@code @AfterEach}).
 */
@Order(9)
@DisplayName("the README")
class ReadmeTests {

    static final Path README = Path.of("..", "README.md");
    static final Path FIRST_EXAMPLE = Path.of("src/test/java/dev/netfault/examples/prices/JdkHttpClientTests.java");

    @Test
    @DisplayName("shows as its first example lines of JdkHttpClientTests, in their order")
    void showsAsItsFirstExampleLinesOfJdkHttpClientTestsInTheirOrder() throws IOException {
        List<String> snippet = firstJavaBlock(Files.readAllLines(README));
        List<String> test = Files.readAllLines(FIRST_EXAMPLE).stream().map(String::stripTrailing).collect(Collectors.toList());

        assertThat(snippet).as("the README's first java block").hasSizeGreaterThan(20);
        int at = 0;
        for (String line : snippet) {
            int found = test.subList(at, test.size()).indexOf(line);
            if (found < 0) {
                fail("The README's first example has a line that " + FIRST_EXAMPLE + " does not have after its line " + at + ":%n  %s%n"
                        + "Fix: change the README's snippet or the test so that every line of the snippet is a line of the test,"
                        + " in the same order.", line);
            }
            at += found + 1;
        }
    }

    static List<String> firstJavaBlock(List<String> readme) {
        int start = readme.indexOf("```java");
        assertThat(start).as("a ```java block in " + README).isNotNegative();
        int end = readme.subList(start + 1, readme.size()).indexOf("```") + start + 1;
        return readme.subList(start + 1, end).stream().map(String::stripTrailing).filter(line -> !line.isEmpty())
                .collect(Collectors.toList());
    }
}
