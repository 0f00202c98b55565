package dev.netfault.examples.support;

import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGenerator;

/**
 * Shows test methods as the sentences their names spell: {@code retriesATruncatedResponse} reads
 * "retries a truncated response". Set as the default generator in junit-platform.properties.
 */
public class SentenceDisplayNames extends DisplayNameGenerator.Standard {

    @Override
    public String generateDisplayNameForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
        return sentence(testMethod.getName());
    }

    static String sentence(String camelCase) {
        StringBuilder s = new StringBuilder(camelCase.length() + 8);
        for (int i = 0; i < camelCase.length(); i++) {
            char c = camelCase.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                s.append(' ');
            }
            s.append(Character.toLowerCase(c));
        }
        return s.toString();
    }
}
