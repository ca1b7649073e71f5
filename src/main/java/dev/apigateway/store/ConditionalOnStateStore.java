package dev.apigateway.store;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/** Registers a bean or configuration only for the selected {@link StateStoreSelection state store}. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnStateStoreCondition.class)
public @interface ConditionalOnStateStore {
    StateStoreSelection.Store value();
}
