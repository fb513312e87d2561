package dev.switchyard.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchyard.upstream.HealthState;
import org.junit.jupiter.api.Test;

class HealthStateMachineTest {

    @Test
    void aNewServerComesUpOnItsFirstPassingCheck() {
        HealthStateMachine machine = new HealthStateMachine(HealthState.DOWN, 3, 2);
        assertThat(machine.observe(false))
                .as("failing while never up changes nothing")
                .isNull();
        assertThat(machine.observe(true))
                .as("warm-up gate: one pass is enough the first time")
                .isEqualTo(HealthState.UP);
    }

    @Test
    void ejectsAfterUnhealthyThresholdFailuresInARow() {
        HealthStateMachine machine = new HealthStateMachine(HealthState.DOWN, 2, 3);
        machine.observe(true);
        assertThat(machine.observe(false)).isNull();
        assertThat(machine.observe(false)).isNull();
        assertThat(machine.observe(false)).isEqualTo(HealthState.DOWN);
        assertThat(machine.streak()).as("the log says how many failed").isEqualTo(3);
        assertThat(machine.observe(false)).as("already down").isNull();
    }

    @Test
    void aPassBetweenFailuresResetsTheCount() {
        HealthStateMachine machine = new HealthStateMachine(HealthState.UP, 2, 3);
        machine.observe(false);
        machine.observe(false);
        machine.observe(true);
        assertThat(machine.observe(false)).isNull();
        assertThat(machine.observe(false)).isNull();
        assertThat(machine.observe(false)).isEqualTo(HealthState.DOWN);
    }

    @Test
    void returnsAfterHealthyThresholdPassesInARowOnceItHadBeenUp() {
        HealthStateMachine machine = new HealthStateMachine(HealthState.UP, 2, 1);
        assertThat(machine.observe(false)).isEqualTo(HealthState.DOWN);
        assertThat(machine.observe(true))
                .as("one pass is not enough after an ejection")
                .isNull();
        assertThat(machine.observe(false)).isNull();
        assertThat(machine.observe(true)).isNull();
        assertThat(machine.observe(true)).isEqualTo(HealthState.UP);
        assertThat(machine.state()).isEqualTo(HealthState.UP);
    }

    @Test
    void neverFlipsADrainingServer() {
        HealthStateMachine machine = new HealthStateMachine(HealthState.DRAINING, 1, 1);
        assertThat(machine.observe(true)).isNull();
        assertThat(machine.observe(false)).isNull();
        assertThat(machine.state()).isEqualTo(HealthState.DRAINING);
    }

    @Test
    void refusesThresholdsBelowOne() {
        assertThatThrownBy(() -> new HealthStateMachine(HealthState.UP, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
