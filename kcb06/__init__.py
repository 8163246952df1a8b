"""kcb06: reception, e-health book and BHYT data interchange for Đề án 06."""
